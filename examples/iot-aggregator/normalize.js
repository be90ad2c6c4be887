// First step of the sequence: readings as devices send them, in Celsius, without the ones that cannot be used.
// A reading is { device, value, unit } with unit "C" (the default) or "F".
function main({ readings = [] }) {
  const valid = [];
  let rejected = 0;
  for (const r of Array.isArray(readings) ? readings : []) {
    const value = Number(r && r.value);
    if (!r || typeof r.device !== 'string' || r.device === '' || !Number.isFinite(value)) {
      rejected++;
      continue;
    }
    const celsius = r.unit === 'F' ? ((value - 32) * 5) / 9 : value;
    valid.push({ device: r.device, celsius });
  }
  return { readings: valid, rejected };
}
