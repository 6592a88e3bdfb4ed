/**
 * Every verb of the reference CLI as a value an embedder can place in their own command tree
 * (`Command.withSubcommands([Commands.login, Commands.status])`), and the groups latchkey builds
 * from them.
 */
export { inject } from "./auth/inject.js"
export { get as authGet, list as authList } from "./auth/list.js"
export { login } from "./auth/login.js"
export { logout } from "./auth/logout.js"
export { migrateSecrets } from "./auth/migrateSecrets.js"
export { setKey } from "./auth/setKey.js"
export { status } from "./auth/status.js"
export { token } from "./auth/token.js"
export { printToken, refresh, whoami } from "./auth/tokens.js"
export { switchCommand as authSwitch, use as authUse } from "./auth/use.js"
export { auth } from "./Cli.js"
export {
  add as environmentsAdd,
  environments,
  get as environmentsGet,
  remove as environmentsDelete,
  use as environmentsUse
} from "./environments/commands.js"
export { authProject, get as projectsGet, projects, use as projectsUse } from "./projects/commands.js"
export { sandbox } from "./sandbox.js"
export { get as teamsGet, teams, use as teamsUse } from "./teams/commands.js"
