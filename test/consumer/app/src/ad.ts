// The markers under names of the project's own, re-exported: files that import them from here
// are found through the program, not by their text.
export { grad as derivative, valueAndGrad } from "tsgrad";
