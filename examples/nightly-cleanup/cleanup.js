// Nightly cleanup, run by an alarm: asks the session store to delete the sessions idle for more than
// `maxIdleDays` (the alarm's trigger_payload), and reports which went.
async function main({ storeUrl, maxIdleDays = 30 }) {
  const cutoff = new Date(Date.now() - maxIdleDays * 24 * 60 * 60 * 1000).toISOString();
  const res = await fetch(`${storeUrl}/sessions?idleSince=${encodeURIComponent(cutoff)}`, {
    method: 'DELETE',
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) return { error: `the session store answered ${res.status}: ${await res.text()}` };
  const { deleted } = await res.json();
  console.log(`deleted ${deleted.length} sessions idle since ${cutoff}`);
  return { cutoff, deleted };
}
