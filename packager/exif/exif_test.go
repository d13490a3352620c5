package exif

import "testing"

func TestOrientation(t *testing.T) {
	mm := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0}
	ii := []byte{'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0}
	if o := Orientation(mm); o != 6 {
		t.Errorf("big-endian: %d", o)
	}
	if o := Orientation(ii); o != 8 {
		t.Errorf("little-endian: %d", o)
	}
	if o := APP1Orientation(append([]byte("Exif\x00\x00"), mm...)); o != 6 {
		t.Errorf("APP1: %d", o)
	}
	bad := append([]byte(nil), mm...)
	bad[19] = 9 // not an orientation
	for _, b := range [][]byte{nil, mm[:10], bad, []byte("http://ns.adobe.com/xap/1.0/\x00<x/>")} {
		if o := Orientation(b); o != 0 {
			t.Errorf("damaged block gave %d", o)
		}
		if o := APP1Orientation(b); o != 0 {
			t.Errorf("damaged APP1 gave %d", o)
		}
	}
}
