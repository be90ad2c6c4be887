// Order handler behind a Kafka feed: each fire brings the records read from the topic (`messages`, with `value`
// parsed as JSON because the feed has isJSONData). It prices every order and flags the large ones.
const LARGE_ORDER = 100;

function main({ messages = [] }) {
  const orders = [];
  const invalid = [];
  for (const { offset, value } of messages) {
    const items = value && Array.isArray(value.items) ? value.items : null;
    if (items === null || typeof value.id !== 'string') {
      invalid.push(offset);
      continue;
    }
    const total = Math.round(items.reduce((sum, i) => sum + Number(i.qty) * Number(i.price), 0) * 100) / 100;
    orders.push({ id: value.id, customer: value.customer, total, large: total >= LARGE_ORDER });
    console.log(`order ${value.id}: ${total}`);
  }
  return { orders, invalid };
}
