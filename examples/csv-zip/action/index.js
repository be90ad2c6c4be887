// Sales report from a CSV upload: totals per region, using the CSV parser bundled beside it in the zip.
const { records } = require('./lib/csv');

function main({ csv }) {
  if (typeof csv !== 'string') return { error: 'send the CSV text as the parameter "csv"' };
  let rows;
  try {
    rows = records(csv);
  } catch (err) {
    return { error: err.message };
  }
  const totals = {};
  for (const row of rows) {
    const amount = Number(row.amount);
    if (!Number.isFinite(amount)) continue;
    totals[row.region] = Math.round(((totals[row.region] || 0) + amount) * 100) / 100;
  }
  return { rows: rows.length, totals, products: [...new Set(rows.map((r) => r.product))].sort() };
}

exports.main = main;
