import type * as pulumi from "@pulumi/pulumi";

/**
 * The provider a component got for `pkg` (through `provider` or `providers`), so it can be
 * handed on explicitly in `ref.resourceOptions` to components that are not its children.
 */
export function providerFor(
  component: pulumi.ComponentResource,
  pkg: "docker" | "kubernetes",
): pulumi.ProviderResource | undefined {
  return component.getProvider(`${pkg}::`);
}
