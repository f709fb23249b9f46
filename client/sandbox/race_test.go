//go:build race

package sandbox

// raceEnabled is true under the race detector, where decoding a 40 MB JSON
// document takes tens of seconds.
const raceEnabled = true
