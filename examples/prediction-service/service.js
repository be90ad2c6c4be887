// A stand-in prediction service: POST /predict with a customer's figures answers the churn probability of a fixed
// logistic model. Run it with `PORT=8480 node service.js`; it prints "listening on <port>" once it accepts requests.
import { createServer } from 'node:http';

const MODEL = { name: 'churn-v1', bias: -3, weights: { monthlyCharges: 0.03, tenureMonths: -0.08, supportCalls: 0.6 } };

function predict(customer) {
  let z = MODEL.bias;
  for (const [feature, weight] of Object.entries(MODEL.weights)) {
    const value = customer[feature];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`feature ${feature} must be a number`);
    z += weight * value;
  }
  const score = Math.round((1 / (1 + Math.exp(-z))) * 1000) / 1000;
  return { model: MODEL.name, score, label: score >= 0.5 ? 'churn' : 'stay' };
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/predict') return reply(404, { error: 'POST /predict' });
    try {
      reply(200, predict(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    } catch (err) {
      reply(400, { error: err.message });
    }
  });
});

const port = Number(process.env.PORT ?? 8480);
server.listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
