// Log-line processor: a batch of log lines in, counts out. Each line is
// `<ISO time> <LEVEL> <service> <message>`; lines that do not parse are counted, not dropped silently.
const LINE = /^(\S+)\s+(DEBUG|INFO|WARN|ERROR|FATAL)\s+(\S+)\s+(.*)$/;

function main({ lines = [] }) {
  if (!Array.isArray(lines)) return { error: 'lines must be an array of log lines' };
  const byLevel = {};
  const byService = {};
  const errors = {};
  let unparsed = 0;
  for (const line of lines) {
    const match = LINE.exec(String(line).trim());
    if (match === null) {
      unparsed++;
      continue;
    }
    const [, , level, service, message] = match;
    byLevel[level] = (byLevel[level] || 0) + 1;
    byService[service] = (byService[service] || 0) + 1;
    if (level === 'ERROR' || level === 'FATAL') errors[message] = (errors[message] || 0) + 1;
  }
  const topErrors = Object.entries(errors)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 3)
    .map(([message, count]) => ({ message, count }));
  return { lines: lines.length, unparsed, byLevel, byService, topErrors };
}
