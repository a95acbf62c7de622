export {
  loadResourceValidator,
  loadValidator,
  OWN_CANONICAL,
  ResourceValidator,
  type ResourceValidatorOptions,
  valueSetContains,
} from './resource-validator.ts';
export { defaultProfilesDir } from './definitions.ts';
