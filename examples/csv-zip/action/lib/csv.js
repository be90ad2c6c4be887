// A small RFC 4180 CSV parser, bundled in the action's zip: fields separated by commas, records by CRLF or LF,
// fields in double quotes may hold commas, line breaks and doubled quotes ("").

/** Rows of fields (strings). Throws on a quote left open. */
function parse(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new Error('CSV: a quoted field is not closed');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Objects keyed by the header row; blank lines are skipped. */
function records(text) {
  const [header, ...rows] = parse(text).filter((r) => !(r.length === 1 && r[0] === ''));
  if (header === undefined) return [];
  return rows.map((r) => Object.fromEntries(header.map((name, i) => [name, r[i] === undefined ? '' : r[i]])));
}

module.exports = { parse, records };
