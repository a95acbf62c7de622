export * from './settings.ts';
export * from './service-settings.ts';
