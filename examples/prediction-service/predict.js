// Asks the prediction service about one customer with fetch; the service's URL is a default parameter of the action.
async function main({ serviceUrl, customer = {} }) {
  const res = await fetch(`${serviceUrl}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(customer),
    signal: AbortSignal.timeout(5000),
  });
  const answer = await res.json();
  if (!res.ok) return { error: `prediction service answered ${res.status}: ${answer.error}` };
  return { customer: customer.id, churn: answer.label === 'churn', score: answer.score, model: answer.model };
}
