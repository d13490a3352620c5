package jpegls

import "testing"

func FuzzDecode(f *testing.F) {
	f.Add(encode(picture(9, 7, 1, 8, 1), 9, 7, 1, 8, EncodeOptions{}))
	f.Add(encode(picture(5, 6, 3, 8, 2), 5, 6, 3, 8, EncodeOptions{Interleave: 1, Near: 1, Restart: 2}))
	f.Add(encode(picture(6, 5, 3, 12, 3), 6, 5, 3, 12, EncodeOptions{Interleave: 2, Preset: true}))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		if len(m.Pix) != m.Width*m.Height*m.Components {
			t.Fatalf("%d samples for %+v", len(m.Pix), m.Config)
		}
		top := uint16(1<<m.BitsPerSample - 1)
		for _, v := range m.Pix {
			if v > top {
				t.Fatalf("sample %d above %d bits", v, m.BitsPerSample)
			}
		}
	})
}
