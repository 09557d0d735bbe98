'use strict';
// Writes this stack's part of a registry-wide ECR setting (the registry policy, the replication
// configuration) and keeps every other part. ECR has no conditional write, so the setting is read again
// just before writing (another writer changed it: start over) and after writing (another writer
// overwrote ours: start over).

const { sleep } = require('./cloudformation');

const MAX_ATTEMPTS = Number(process.env.MAX_ATTEMPTS || 5);
const RETRY_DELAY_MS = Number(process.env.RETRY_DELAY_MS || 1000);

/**
 * @param setting.name what the setting is called in messages, such as 'registry policy'
 * @param setting.read async () => the current setting (null when there is none)
 * @param setting.merge (current) => the setting to write: the current one with our part replaced
 * @param setting.write async (next) => writes the merged setting
 * @param setting.holds (current) => whether the current setting holds our part as merge wrote it
 */
async function applyOwnedPart(setting) {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const before = await setting.read();
    const next = setting.merge(before);
    if (JSON.stringify(next) === JSON.stringify(before)) return;
    const check = await setting.read();
    if (JSON.stringify(check) !== JSON.stringify(before)) {
      console.log(`attempt ${attempt}: the ${setting.name} changed while merging; reading it again`);
      await sleep(RETRY_DELAY_MS * attempt);
      continue;
    }
    await setting.write(next);
    if (setting.holds(await setting.read())) return;
    console.log(`attempt ${attempt}: another writer replaced the ${setting.name}; merging again`);
    await sleep(RETRY_DELAY_MS * attempt);
  }
  throw new Error(`The ${setting.name} kept changing under ${MAX_ATTEMPTS} attempts to merge it; deploy again`);
}

module.exports = { applyOwnedPart };
