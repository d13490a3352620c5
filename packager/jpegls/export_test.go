package jpegls

// Picture is picture, for the external tests.
var Picture = picture
