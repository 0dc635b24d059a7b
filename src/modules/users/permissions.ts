export const PERMISSIONS = ['admin', 'create_room', 'moderate', 'manage_users'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** `admin` holds every permission. */
export function hasPermission(user: { permissions: readonly Permission[] }, p: Permission): boolean {
  return user.permissions.includes('admin') || user.permissions.includes(p);
}
