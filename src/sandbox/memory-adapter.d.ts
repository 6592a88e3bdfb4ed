// oidc-provider's own in-memory adapter (no types are published for the deep path).
declare module "oidc-provider/lib/adapters/memory_adapter.js" {
  import type { Adapter } from "oidc-provider"
  const MemoryAdapter: new(name: string) => Adapter
  export default MemoryAdapter
}
