// @ts-check
// Page library: replaced by the extension work (issue 4).
export {};
