// The systemd units of an install: a fresh out-of-tree build with the distribution's paths,
// installed with DESTDIR into a stage root, verifies clean with systemd-analyze (no output at
// all: warnings fail too), runs the installed programs and carries the hardening lines.
// Slow (a full build), so one build serves the whole file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { env } from './lib/client.mjs';

const UNITS = ['portal-api.service', 'portal-api.socket', 'portal-notifier.service',
  'portal-maintenance.service', 'portal-maintenance.timer'];

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 240_000, ...opts });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${(r.stdout + r.stderr).slice(-3000)}`);
  }
  return r;
}

describe('systemd units of a DESTDIR install', { timeout: 300_000 }, () => {
  let tmp;
  let stage;
  let unitDir;

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'portal-systemd-'));
    const build = join(tmp, 'build');
    stage = join(tmp, 'stage');
    mkdirSync(build);
    run(`${env().root}/configure`, ['-q', '--prefix=/usr', '--sysconfdir=/etc', '--localstatedir=/var',
      '--runstatedir=/run'], { cwd: build });
    run('make', ['-s', '-j2'], { cwd: build });
    run('make', ['-s', 'install', `DESTDIR=${stage}`], { cwd: build });
    unitDir = join(stage, 'usr/lib/systemd/system');
    // The verifier resolves ExecReload's /bin/kill and the base targets inside the root.
    mkdirSync(join(stage, 'bin'), { recursive: true });
    copyFileSync('/bin/kill', join(stage, 'bin/kill'));
    for (const f of readdirSync('/lib/systemd/system').filter((n) => n.endsWith('.target'))) {
      if (!existsSync(join(unitDir, f))) copyFileSync(join('/lib/systemd/system', f), join(unitDir, f));
    }
  }, { timeout: 300_000 });

  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('the units and programs are installed', () => {
    for (const unit of UNITS) assert.ok(existsSync(join(unitDir, unit)), `${unit} not installed`);
    for (const prog of ['portal-api', 'portal-notifier', 'portalctl']) {
      assert.ok(existsSync(join(stage, 'usr/bin', prog)), `/usr/bin/${prog} not installed`);
    }
  });

  test('systemd-analyze verify passes without a word', () => {
    const r = spawnSync('systemd-analyze', ['verify', `--root=${stage}`, ...UNITS], { encoding: 'utf8', timeout: 60_000 });
    assert.ifError(r.error);
    const output = (r.stdout + r.stderr).trim();
    assert.equal(r.status, 0, `systemd-analyze verify exited ${r.status}:\n${output}`);
    assert.equal(output, '', 'systemd-analyze verify printed warnings');
  });

  test('the services run the installed programs with the installed config', () => {
    const api = readFileSync(join(unitDir, 'portal-api.service'), 'utf8');
    const notifier = readFileSync(join(unitDir, 'portal-notifier.service'), 'utf8');
    const socket = readFileSync(join(unitDir, 'portal-api.socket'), 'utf8');
    assert.match(api, /^ExecStart=\/usr\/bin\/portal-api -c \/etc\/portal\/portal\.conf$/m);
    assert.match(notifier, /^ExecStart=\/usr\/bin\/portal-notifier -c \/etc\/portal\/portal\.conf$/m);
    assert.match(socket, /^ListenStream=\/run\/portal\/api\.sock$/m);
    for (const text of [api, notifier, socket]) assert.doesNotMatch(text, /@[a-zA-Z_]+@/, 'a placeholder was left');
  });

  test('the upkeep timer runs expire-payments, purge-sessions and gc-files through the installed portalctl', () => {
    const service = readFileSync(join(unitDir, 'portal-maintenance.service'), 'utf8');
    const timer = readFileSync(join(unitDir, 'portal-maintenance.timer'), 'utf8');
    const steps = [...service.matchAll(/^ExecStart=(.*)$/gm)].map((m) => m[1]);
    assert.deepEqual(steps, ['expire-payments', 'purge-sessions', 'gc-files']
      .map((cmd) => `/usr/bin/portalctl -c /etc/portal/portal.conf ${cmd}`));
    assert.match(service, /^Type=oneshot$/m);
    assert.match(service, /^ReadWritePaths=\/var\/lib\/portal$/m, 'gc-files removes files there');
    assert.match(timer, /^Unit=portal-maintenance\.service$/m);
    assert.match(timer, /^OnCalendar=\S+$/m);
    assert.match(timer, /^WantedBy=timers\.target$/m);
    for (const text of [service, timer]) assert.doesNotMatch(text, /@[a-zA-Z_]+@/, 'a placeholder was left');
  });

  for (const unit of ['portal-api.service', 'portal-notifier.service', 'portal-maintenance.service']) {
    test(`${unit} is hardened`, () => {
      const text = readFileSync(join(unitDir, unit), 'utf8');
      for (const line of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'PrivateTmp=yes']) {
        assert.match(text, new RegExp(`^${line}$`, 'm'), `${unit} lacks ${line}`);
      }
      assert.match(text, /^User=(?!root$)\S+$/m, `${unit} must not run as root`);
    });
  }
});
