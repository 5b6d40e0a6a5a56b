import { results } from "./results.js";

console.log(JSON.stringify(results));
