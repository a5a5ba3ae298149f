// Issue 10 (Why 7): `npm ci` in the repository installs no benchmark peers and prints no engine
// warnings on Node 20; the peers live in their own package, installed by `npm run bench` itself.
// `npm ci --dry-run` resolves the lockfile and checks engines as a real install does, without
// downloading or writing node_modules (run in a temp copy of package.json and the lockfile).
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const peers = ['@toruslabs/session-manager', '@supabase/auth-js', 'oidc-client-ts']

/** What `npm ci` prints (stdout and stderr) for the package in `dir`, without installing. */
function dryRunCi(dir: string): string {
  const temp = mkdtempSync(join(tmpdir(), 'tessera-ci-'))
  try {
    for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(dir, file), join(temp, file))
    const run = spawnSync(
      'npm',
      ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=warn'],
      {
        cwd: temp,
        encoding: 'utf8',
        timeout: 60_000,
      },
    )
    expect(run.status).toBe(0)
    return `${run.stdout}${run.stderr}`
  } finally {
    rmSync(temp, { recursive: true, force: true })
  }
}

describe('installing the repository', () => {
  it('npm ci prints no warning on this Node (and the check does see an engine warning where there is one)', () => {
    expect(dryRunCi(join(root, 'test/interop'))).toContain('EBADENGINE') // Torus asks for Node 22
    expect(
      dryRunCi(root)
        .split('\n')
        .filter((line) => /warn/i.test(line)),
    ).toEqual([])
  }, 120_000)

  it('the benchmark peers are not in the repository lockfile; they are their own package, which npm run bench installs', () => {
    const lock = readFileSync(join(root, 'package-lock.json'), 'utf8')
    for (const name of peers) expect(lock.includes(`"node_modules/${name}"`), name).toBe(false)
    const bench = JSON.parse(readFileSync(join(root, 'test/bench/peers/package.json'), 'utf8'))
    expect(Object.keys(bench.dependencies)).toEqual(expect.arrayContaining(peers))
    const benchLock = readFileSync(join(root, 'test/bench/peers/package-lock.json'), 'utf8')
    for (const name of peers) expect(benchLock.includes(`"node_modules/${name}"`), name).toBe(true)
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
    expect(pkg.scripts.bench).toMatch(/^npm ci --prefix test\/bench\/peers\b/)
  })
})
