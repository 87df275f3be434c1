export * from './types';
export * from './duration';
export * from './value';
export * from './validate';
export * from './changes';
export * from './presets';
export * from './drift';
