"use strict";
// tsgrad's TypeScript language-service plugin: { "name": "tsgrad/language-service" } in
// tsconfig.json's compilerOptions.plugins. tsserver loads plugins with require() and resolves
// their names without package exports, hence this folder; the plugin itself is an ES module
// (require of an ES module: Node >= 20.19 or >= 22.12, as tsgrad needs anyway).
module.exports = require("../dist/transformer/host/language-service.js").default;
