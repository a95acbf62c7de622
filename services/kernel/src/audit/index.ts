export * from './audit-event.ts';
export * from './audit-trail.ts';
export * from './audit-type.ts';
