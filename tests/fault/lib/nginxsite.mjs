// Changing the stack's nginx site for one test file, and putting it back, as StackConf does for
// portal.conf: the site scripts/lib/stack.sh generated from nginx/portal.conf.in
// ($PORTAL_STACK/nginx/site.conf) is rewritten in place (same inode, owner and mode), checked
// with nginx -t and reloaded gracefully, the way nginx_start does it, as the stack's user.
// reload() waits until every worker is one of the new generation, so that the new text is
// what answers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { api, env, runAsStackUser, waitFor } from '../../api/lib/client.mjs';

function workers(masterPid) {
  const r = spawnSync('pgrep', ['-P', String(masterPid)], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number).sort((a, b) => a - b);
}

export class NginxSite {
  constructor() {
    const e = env();
    this.path = `${e.stack}/nginx/site.conf`;
    this.nginxArgs = ['-e', `${e.logDir}/nginx-error.log`, '-p', `${e.stack}/nginx`, '-c', `${e.stack}/nginx/nginx.conf`];
    this.pidFile = `${e.runDir}/nginx.pid`;
    this.original = readFileSync(this.path, 'utf8');
    this.stat = statSync(this.path);
  }

  // The original text with each [pattern, replacement] applied; each pattern (a global
  // RegExp) must match exactly as often as given, so that a changed template fails here
  // rather than leaving the site as it was.
  with(edits) {
    let out = this.original;
    for (const [pattern, replacement, times] of edits) {
      const found = out.match(pattern)?.length ?? 0;
      assert.equal(found, times, `${pattern} matches ${found} times in ${this.path}, expected ${times}`);
      out = out.replace(pattern, replacement);
    }
    return out;
  }

  write(text) {
    writeFileSync(this.path, text);
    chownSync(this.path, this.stat.uid, this.stat.gid);
  }

  // Writes text, checks it with nginx -t (the original is put back when it fails) and reloads
  // nginx; waits for a whole new generation of workers and a healthy API behind them.
  async reload(text) {
    const master = Number(readFileSync(this.pidFile, 'utf8').trim());
    const old = workers(master);
    assert.ok(old.length > 0, `no nginx workers under pid ${master}`);
    this.write(text);
    const check = runAsStackUser(['/usr/sbin/nginx', ...this.nginxArgs, '-t', '-q']);
    if (check.status !== 0) {
      this.write(this.original);
      assert.fail(`nginx -t refused the site: ${check.stderr}`);
    }
    const reload = runAsStackUser(['/usr/sbin/nginx', ...this.nginxArgs, '-s', 'reload']);
    assert.equal(reload.status, 0, `nginx -s reload: ${reload.stderr}`);
    await waitFor(() => {
      const now = workers(master);
      return now.length === old.length && now.every((p) => !old.includes(p));
    }, { timeoutMs: 20_000, what: `a new generation of nginx workers (old: ${old.join(' ')})` });
    await waitFor(async () => (await api('GET', '/api/v1/health')).status === 200,
      { timeoutMs: 15_000, what: 'health 200 after the reload' });
  }

  // Checks that the site is the original again, owner and mode included.
  assertRestored() {
    assert.equal(readFileSync(this.path, 'utf8'), this.original, 'site.conf was not restored');
    const st = statSync(this.path);
    assert.deepEqual([st.uid, st.gid, st.mode], [this.stat.uid, this.stat.gid, this.stat.mode]);
  }
}
