// The database side: migrations are idempotent and safe to run twice at once (also on an empty
// database), and the runtime roles portal_app and portal_notifier hold no power beyond their
// grants: not superuser, no BYPASSRLS, own nothing, cannot create tables in public.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { confValue, env, psql, psqlTry, runAsStackUser } from './lib/client.mjs';

// portalctl migrate as the stack's user, with extra environment; resolves {status, out}.
function migrate(extraEnv = {}) {
  const e = env();
  const vars = Object.entries(extraEnv).map(([k, v]) => `${k}=${v}`);
  return new Promise((resolve, reject) => {
    const child = spawn('runuser', ['-u', e.runUser, '--', 'env', ...vars,
      `${e.bin}/portalctl`, '-c', e.conf, 'migrate'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, out });
    });
  });
}

const migrationFiles = () => readdirSync(confValue('sql_dir')).filter((f) => /^\d{4}_.*\.sql$/.test(f));
const duplicates = (db) => psql('SELECT version FROM schema_migrations GROUP BY version HAVING count(*) > 1', { db });

describe('migrations', () => {
  const scratch = `portal_migtest_${process.pid}`;
  after(() => {
    psqlTry(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`, { db: 'postgres' });
  });

  test('migrate on an up-to-date database applies nothing and exits 0', () => {
    const e = env();
    const before = psql('SELECT version, checksum, applied_at FROM schema_migrations ORDER BY version');
    const r = runAsStackUser([`${e.bin}/portalctl`, '-c', e.conf, 'migrate']);
    const out = r.stdout + r.stderr;
    assert.equal(r.status, 0, `portalctl migrate exited ${r.status}: ${out}`);
    assert.match(out, /up to date/);
    assert.doesNotMatch(out, /^applied /m);
    assert.equal(psql('SELECT version, checksum, applied_at FROM schema_migrations ORDER BY version'), before);
    assert.equal(Number(psql('SELECT count(*) FROM schema_migrations')), migrationFiles().length);
  });

  test('two migrators at once on the live database both exit 0', async () => {
    const [a, b] = await Promise.all([migrate(), migrate()]);
    assert.equal(a.status, 0, `first migrator: ${a.out}`);
    assert.equal(b.status, 0, `second migrator: ${b.out}`);
    assert.equal(duplicates('portal'), '');
  });

  test('two migrators at once on an empty database both exit 0 and apply each migration once', async () => {
    const e = env();
    psql(`CREATE DATABASE ${scratch} OWNER portal_owner`, { db: 'postgres' });
    const url = `host=${e.runDir} port=${e.dbPort} dbname=${scratch} user=portal_owner`;
    const [a, b] = await Promise.all([migrate({ PORTAL_MIGRATE_DATABASE_URL: url }),
      migrate({ PORTAL_MIGRATE_DATABASE_URL: url })]);
    assert.equal(a.status, 0, `first migrator: ${a.out}`);
    assert.equal(b.status, 0, `second migrator: ${b.out}`);
    const applied = (a.out + b.out).match(/^applied /gm) ?? [];
    assert.equal(applied.length, migrationFiles().length, `each migration applied once:\n${a.out}\n${b.out}`);
    assert.equal(duplicates(scratch), '');
    assert.equal(Number(psql('SELECT count(*) FROM schema_migrations', { db: scratch })), migrationFiles().length);
  });
});

for (const role of ['portal_app', 'portal_notifier']) {
  describe(`role ${role}`, () => {
    test('is not superuser, cannot bypass RLS, create roles or databases', () => {
      const flags = psql(`SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = '${role}'`);
      assert.equal(flags, 'f|f|f|f', `${role}: rolsuper|rolbypassrls|rolcreaterole|rolcreatedb`);
    });

    test('is a member of no other role', () => {
      const roles = psql(`SELECT string_agg(g.rolname, ',') FROM pg_auth_members m
        JOIN pg_roles u ON u.oid = m.member JOIN pg_roles g ON g.oid = m.roleid WHERE u.rolname = '${role}'`);
      assert.equal(roles, '');
    });

    test('owns no tables, schemas or functions in the portal database', () => {
      const owned = psql(`SELECT string_agg(x, ', ') FROM (
          SELECT 'relation ' || c.oid::regclass AS x FROM pg_class c WHERE c.relowner = '${role}'::regrole
          UNION ALL SELECT 'schema ' || nspname FROM pg_namespace WHERE nspowner = '${role}'::regrole
          UNION ALL SELECT 'function ' || p.oid::regprocedure FROM pg_proc p WHERE p.proowner = '${role}'::regrole
        ) owned`);
      assert.equal(owned, '', `${role} owns: ${owned}`);
    });

    test('cannot create a table in public, nor a schema', () => {
      const table = psqlTry(`CREATE TABLE public.t_${role}_probe (a int)`, { user: role });
      assert.notEqual(table.status, 0, `${role} created a table in public`);
      assert.match(table.stderr, /permission denied/);
      const schema = psqlTry(`CREATE SCHEMA s_${role}_probe`, { user: role });
      assert.notEqual(schema.status, 0, `${role} created a schema`);
      assert.match(schema.stderr, /permission denied/);
    });
  });
}
