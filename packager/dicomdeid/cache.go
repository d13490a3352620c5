package dicomdeid

import (
	"bytes"
	"encoding/binary"
	"slices"
	"sync"
	"unsafe"

	"dossier/packager/dicomwire"
	"dossier/packager/identity"
)

// uidCache keeps the remapped UIDs of the last secret used: the files of a
// series repeat the same study, series and frame of reference UIDs (and
// each file its SOP Instance UID twice, in the meta group and the
// dataset), and each remap is an HMAC-SHA-256 and a 128-bit number
// written in decimal.
var uidCache struct {
	mu     sync.Mutex
	secret string
	m      map[string]string
}

// maxCachedUIDs bounds uidCache (it starts again when full).
const maxCachedUIDs = 4096

// uid is d.p.UID(v), from uidCache when it holds v.
func (d *deid) uid(v string) string {
	uidCache.mu.Lock()
	if uidCache.secret == string(d.p.Secret) {
		if out, ok := uidCache.m[v]; ok {
			uidCache.mu.Unlock()
			return out
		}
	}
	uidCache.mu.Unlock()
	out := d.p.UID(v)
	uidCache.mu.Lock()
	if uidCache.secret != string(d.p.Secret) || len(uidCache.m) >= maxCachedUIDs {
		uidCache.secret, uidCache.m = string(d.p.Secret), map[string]string{}
	}
	uidCache.m[v] = out
	uidCache.mu.Unlock()
	return out
}

// tokenSet is what collectTokens works out from a file's identity
// attributes and the case's spellings; it is shared, never changed.
type tokenSet struct {
	tokens []string
	births map[string]bool
	match  *identity.Matcher
}

// tokenCache keeps the last token sets by the raw values they were worked
// out from: the files of a series carry the same identity attributes.
var tokenCache struct {
	mu sync.Mutex
	m  map[tokenKey]*tokenSet
}

// tokenKey is the raw identity attributes of a file (tag, length and value
// of each, and of the character set) and the case's spellings (the same
// slice for every file of an export).
type tokenKey struct {
	raw      string
	identity *string
	n        int
}

// maxCachedTokenSets bounds tokenCache (it starts again when full).
const maxCachedTokenSets = 16

// tokenKeyOf returns the key of the token set of elems under the case's
// spellings.
func tokenKeyOf(elems []*elem, spellings []string) tokenKey {
	var b bytes.Buffer
	var rec func([]*elem)
	rec = func(l []*elem) {
		for _, e := range l {
			if identityTags[e.tag] && e.val != nil || e.tag == dicomwire.SpecificCharacterSet {
				b.Write(binary.LittleEndian.AppendUint32(nil, uint32(e.tag)))
				b.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(e.vr))))
				b.WriteString(e.vr)
				b.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(e.val))))
				b.Write(e.val)
			}
			for _, it := range e.items {
				rec(it.elems)
			}
		}
	}
	rec(elems)
	return tokenKey{raw: b.String(), identity: unsafe.SliceData(spellings), n: len(spellings)}
}

func cachedTokens(k tokenKey) *tokenSet {
	tokenCache.mu.Lock()
	defer tokenCache.mu.Unlock()
	return tokenCache.m[k]
}

func cacheTokens(k tokenKey, ts *tokenSet) {
	tokenCache.mu.Lock()
	defer tokenCache.mu.Unlock()
	if tokenCache.m == nil || len(tokenCache.m) >= maxCachedTokenSets {
		tokenCache.m = map[tokenKey]*tokenSet{}
	}
	tokenCache.m[k] = &tokenSet{tokens: slices.Clip(ts.tokens), births: ts.births, match: ts.match}
}
