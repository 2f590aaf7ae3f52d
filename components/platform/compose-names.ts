/**
 * Names of the resources ComposePlatform declares for one container, which the policies read
 * to tell what a container runs. Kept free of imports, like annotations.ts, so the policies can
 * use it without loading the components.
 */

/** The RemoteImage a Compose container runs: the container's resource name plus `-image`. */
export function dockerImageResourceName(containerName: string): string {
  return `${containerName}-image`;
}
