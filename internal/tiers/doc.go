// Package tiers holds the test that keeps the code in the four tiers the
// README's Layout section draws: front ends, workflow, format packages and
// primitives, each importing only from its own tier and the ones below.
package tiers
