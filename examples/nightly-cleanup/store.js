// A stand-in session store with a retention endpoint, the service the nightly cleanup calls: sessions are kept in
// memory. Run it with `PORT=8481 node store.js`; it prints "listening on <port>" once it accepts requests.
//   POST   /sessions {id, lastSeen}      stores a session (lastSeen: an ISO time)
//   GET    /sessions                     lists the sessions, by id
//   DELETE /sessions?idleSince=<ISO>     deletes the sessions last seen before that time: {"deleted": [ids]}
import { createServer } from 'node:http';

const sessions = new Map();

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url, 'http://store');
    if (url.pathname !== '/sessions') return reply(404, { error: 'unknown path' });
    if (req.method === 'GET') return reply(200, [...sessions.values()].sort((a, b) => a.id.localeCompare(b.id)));
    if (req.method === 'POST') {
      let session;
      try {
        session = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(400, { error: 'the body must be JSON' });
      }
      if (typeof session.id !== 'string' || Number.isNaN(Date.parse(session.lastSeen))) return reply(400, { error: 'a session needs an id and an ISO lastSeen' });
      sessions.set(session.id, { id: session.id, lastSeen: session.lastSeen });
      return reply(201, session);
    }
    if (req.method === 'DELETE') {
      const cutoff = Date.parse(url.searchParams.get('idleSince'));
      if (Number.isNaN(cutoff)) return reply(400, { error: 'idleSince must be an ISO time' });
      const deleted = [];
      for (const [id, s] of sessions) if (Date.parse(s.lastSeen) < cutoff) deleted.push(id);
      for (const id of deleted) sessions.delete(id);
      return reply(200, { deleted: deleted.sort() });
    }
    reply(405, { error: 'GET, POST or DELETE' });
  });
});

const port = Number(process.env.PORT ?? 8481);
server.listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
