package slide

import (
	"dossier/internal/testtool"

	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func openReal(t *testing.T, name string) (*os.File, int64) {
	t.Helper()
	p := filepath.Join(testtool.Shared(t, "testdata/wsi"), name)
	fh, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fh.Close() })
	st, err := fh.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return fh, st.Size()
}

func TestRealCMU1(t *testing.T) {
	fh, size := openReal(t, "CMU-1-Small-Region.svs")
	in, err := DetectTIFF(fh, size)
	if err != nil {
		t.Fatal(err)
	}
	checkInfo(t, in, want{VendorAperio, ContainerTIFF, 1, [][2]int64{{2220, 2967}}, true, true, true,
		[]string{"aperio.Date", "aperio.Filename", "aperio.ImageID", "aperio.ScanScope ID", "aperio.Time", "aperio.User"}, []string{"CMU-1"}})
}

func TestRealSmallSVS(t *testing.T) {
	fh, size := openReal(t, "openslide-python-fixtures/small.svs")
	in, err := DetectTIFF(fh, size)
	if err != nil {
		t.Fatal(err)
	}
	checkInfo(t, in, want{VendorAperio, ContainerTIFF, 1, [][2]int64{{16, 16}}, false, false, true, nil, nil})
	for _, k := range []string{"aperio.Filename", "aperio.Date", "aperio.Time", "aperio.User", "aperio.ScanScope ID"} {
		found := false
		for _, got := range in.IdentifyingMetadata {
			found = found || got == k
		}
		if !found {
			t.Errorf("missing identifying key %s", k)
		}
	}
}

type manifest struct {
	BigTIFF        bool     `json:"bigtiff"`
	Size           int64    `json:"size"`
	FakePHIStrings []string `json:"fake_phi_strings"`
	IFDs           []struct {
		Index          int     `json:"index"`
		IFDOffset      int64   `json:"ifd_offset"`
		Shape          []int64 `json:"shape"`
		Tiled          bool    `json:"tiled"`
		NewSubfileType uint64  `json:"new_subfile_type"`
		Description    string  `json:"description"`
		DataOffsets    []int64 `json:"data_offsets"`
		DataByteCounts []int64 `json:"data_bytecounts"`
	} `json:"ifds"`
	Roles map[string]int `json:"roles"`
}

func TestRealSyntheticAperio(t *testing.T) {
	for _, name := range []string{"synthetic-aperio.svs", "synthetic-aperio-bigtiff.svs"} {
		t.Run(name, func(t *testing.T) {
			fh, size := openReal(t, name)
			raw, err := os.ReadFile(filepath.Join(testtool.Shared(t, "testdata/wsi"), name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var m manifest
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			f, err := OpenTIFF(fh, size)
			if err != nil {
				t.Fatal(err)
			}
			if f.BigTIFF != m.BigTIFF || size != m.Size || len(f.IFDs) != len(m.IFDs) {
				t.Fatalf("bigtiff %v size %d ifds %d; manifest %v %d %d", f.BigTIFF, size, len(f.IFDs), m.BigTIFF, m.Size, len(m.IFDs))
			}
			for i, mi := range m.IFDs {
				d := f.IFDs[i]
				if d.Offset != mi.IFDOffset || d.Tiled() != mi.Tiled {
					t.Errorf("IFD %d: offset %d tiled %v; manifest %d %v", i, d.Offset, d.Tiled(), mi.IFDOffset, mi.Tiled)
				}
				if nst, _ := f.TagUint(d, TagNewSubfileType); nst != mi.NewSubfileType {
					t.Errorf("IFD %d: NewSubfileType %d, manifest %d", i, nst, mi.NewSubfileType)
				}
				if got := f.TagString(d, TagImageDescription); got != mi.Description {
					t.Errorf("IFD %d: description differs from manifest", i)
				}
				rs, err := f.DataRanges(d)
				if err != nil {
					t.Fatal(err)
				}
				if len(rs) != len(mi.DataOffsets) {
					t.Fatalf("IFD %d: %d ranges, manifest %d", i, len(rs), len(mi.DataOffsets))
				}
				for j, r := range rs {
					if r.Offset != mi.DataOffsets[j] || r.Length != mi.DataByteCounts[j] {
						t.Errorf("IFD %d block %d: %+v, manifest %d+%d", i, j, r, mi.DataOffsets[j], mi.DataByteCounts[j])
					}
				}
			}
			in, err := f.Detect()
			if err != nil {
				t.Fatal(err)
			}
			lvl := func(role string) [2]int64 {
				s := m.IFDs[m.Roles[role]].Shape
				return [2]int64{s[1], s[0]}
			}
			container := ContainerTIFF
			if m.BigTIFF {
				container = ContainerBigTIFF
			}
			checkInfo(t, in, want{VendorAperio, container, 2, [][2]int64{lvl("level0"), lvl("level1")}, true, true, true, nil,
				[]string{"S26-12345 DOE^JANE", "DOE^JANE"}})
			for _, im := range in.Images {
				for role, idx := range m.Roles {
					if idx == im.IFD {
						wantKind := map[string]string{"level0": KindLevel, "level1": KindLevel, "thumbnail": KindThumbnail, "label": KindLabel, "macro": KindMacro}[role]
						if im.Kind != wantKind {
							t.Errorf("IFD %d: kind %s, manifest role %s", idx, im.Kind, role)
						}
					}
				}
			}
			for _, k := range []string{"aperio.Filename", "aperio.Title", "aperio.Date", "aperio.Time", "aperio.User", "aperio.ScanScope ID", "aperio.Patient", "aperio.Barcode", "aperio.Time Zone"} {
				found := false
				for _, got := range in.IdentifyingMetadata {
					found = found || got == k
				}
				if !found {
					t.Errorf("missing identifying key %s", k)
				}
			}
			for _, k := range in.IdentifyingMetadata {
				if k == "aperio.MPP" || k == "aperio.AppMag" {
					t.Errorf("allow-listed key %s reported", k)
				}
			}
		})
	}
}
