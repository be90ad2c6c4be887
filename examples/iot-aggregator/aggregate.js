// Second step: min, max and average (two decimals) per device, devices in name order.
const round = (x) => Math.round(x * 100) / 100;

function main({ readings = [], rejected = 0 }) {
  const stats = new Map();
  for (const { device, celsius } of readings) {
    const s = stats.get(device) || { count: 0, min: Infinity, max: -Infinity, sum: 0 };
    s.count++;
    s.min = Math.min(s.min, celsius);
    s.max = Math.max(s.max, celsius);
    s.sum += celsius;
    stats.set(device, s);
  }
  const devices = {};
  for (const device of [...stats.keys()].sort()) {
    const s = stats.get(device);
    devices[device] = { count: s.count, min: round(s.min), max: round(s.max), avg: round(s.sum / s.count) };
  }
  return { devices, rejected };
}
