// Changing the stack's portal.conf for one test file, and putting it back: the file is
// rewritten in place (same inode, owner and mode), so that the stack's processes, which run
// as another user, still read it. reloadApi() waits until a whole new generation of workers
// answers.
import assert from 'node:assert/strict';
import { chownSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { api, env, stackctl, waitFor } from '../../api/lib/client.mjs';

const workers = () => stackctl('api-worker-pids').split('\n').filter(Boolean).map(Number).sort((a, b) => a - b);

export class StackConf {
  constructor() {
    this.path = env().conf;
    this.original = readFileSync(this.path, 'utf8');
    this.stat = statSync(this.path);
  }

  // The original text with the given keys set (replaced where present, else appended).
  with(keys) {
    let out = this.original.endsWith('\n') ? this.original : `${this.original}\n`;
    for (const [key, value] of Object.entries(keys)) {
      const line = new RegExp(`^${key}\\s*=.*$`, 'm');
      out = line.test(out) ? out.replace(line, `${key} = ${value}`) : `${out}${key} = ${value}\n`;
    }
    return out;
  }

  write(text) {
    writeFileSync(this.path, text);
    chownSync(this.path, this.stat.uid, this.stat.gid);
  }

  // Writes text and reloads portal-api gracefully.
  async reloadApi(text) {
    const old = workers();
    this.write(text);
    stackctl('api-reload');
    await waitFor(() => {
      const now = workers();
      return now.length === old.length && now.every((p) => !old.includes(p));
    }, { timeoutMs: 15_000, what: `a new generation of workers (old: ${old.join(' ')})` });
    await waitFor(async () => (await api('GET', '/api/v1/health')).status === 200,
      { timeoutMs: 15_000, what: 'health 200 after the reload' });
  }

  // Checks that the file is the original again, owner and mode included.
  assertRestored() {
    assert.equal(readFileSync(this.path, 'utf8'), this.original, 'portal.conf was not restored');
    const st = statSync(this.path);
    assert.deepEqual([st.uid, st.gid, st.mode], [this.stat.uid, this.stat.gid, this.stat.mode]);
  }
}
