package assets

import _ "embed"

// Words is the word list that Dossier draws generated passphrases from: one
// lower-case English word of 3 to 9 letters a line, 7576 distinct words.
//
// It is the EFF Large Wordlist for passphrases (copyright 2016 Electronic
// Frontier Foundation, https://www.eff.org/dice, licensed under CC BY 3.0 US,
// https://creativecommons.org/licenses/by/3.0/us/) with changes: its four
// hyphenated words were dropped, and so were 196 words about illness, death,
// injury, fear and violence that have no place in a passphrase a patient
// reads aloud while seeking a second opinion on cancer.
//
//go:embed words.txt
var Words string
