package keyfile

// EncodePFXWithIterations lets the fuzz test seed cheap .pfx files.
var EncodePFXWithIterations = encodePFX
