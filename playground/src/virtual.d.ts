/** Modules the playground's build makes (vite.config.ts). */
declare module "virtual:typescript-libs" {
  /** The lib .d.ts files the worker's Programs use, by absolute path. */
  const files: Record<string, string>;
  export default files;
}
declare module "virtual:tsgrad-declarations" {
  /** tsgrad's declarations and package.json under /node_modules/tsgrad/. */
  const files: Record<string, string>;
  export default files;
}
declare module "virtual:tsgrad-runtime-urls" {
  /** The URL of each runtime module by the specifier user code imports it with. */
  const urls: Record<string, string>;
  export default urls;
}
