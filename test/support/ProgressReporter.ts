/**
 * A vitest reporter for CI logs: one line on stderr when each test file and each test starts and
 * ends, with the seconds since the run began. The default reporter prints a file only when the
 * whole file is done, so a test that never ends would leave no trace of where it stopped.
 */
import type { Reporter, TestCase, TestModule } from "vitest/node"

const started = Date.now()
const stamp = () => `[progress ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s]`
const say = (line: string) => process.stderr.write(`${stamp()} ${line}\n`)

const name = (module: TestModule) => module.moduleId.replace(`${process.cwd()}/`, "")

export default class ProgressReporter implements Reporter {
  onInit() {
    say(`vitest started (pid ${process.pid})`)
  }
  onTestModuleQueued(module: TestModule) {
    say(`queued    ${name(module)}`)
  }
  onTestModuleCollected(module: TestModule) {
    say(`collected ${name(module)}`)
  }
  onTestModuleStart(module: TestModule) {
    say(`file  ${name(module)}`)
  }
  onTestCaseReady(test: TestCase) {
    say(`start ${test.fullName}`)
  }
  onTestCaseResult(test: TestCase) {
    const diagnostic = test.diagnostic()
    say(`${test.result().state.padEnd(7)} ${test.fullName}${diagnostic ? ` (${Math.round(diagnostic.duration)} ms)` : ""}`)
  }
  onTestModuleEnd(module: TestModule) {
    say(`done  ${name(module)}`)
  }
}
