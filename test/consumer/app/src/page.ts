import { results } from "./results.js";

document.getElementById("out")!.textContent = JSON.stringify(results);
