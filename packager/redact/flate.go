package redact

import (
	"bytes"
	"compress/zlib"
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/filter"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// zlibWriters are reused: each new zlib writer allocates and clears about
// a megabyte, more than compressing a page's content stream costs.
var zlibWriters = sync.Pool{New: func() any { return zlib.NewWriter(nil) }}

// flateStream returns a stream of data compressed with FlateDecode, as
// pdfcpu's NewStreamDictForBuf followed by Encode makes it.
func flateStream(data []byte) (*types.StreamDict, error) {
	var b bytes.Buffer
	zw := zlibWriters.Get().(*zlib.Writer)
	defer zlibWriters.Put(zw)
	zw.Reset(&b)
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	sd := &types.StreamDict{Dict: types.NewDict(), Content: data, Raw: b.Bytes(),
		FilterPipeline: []types.PDFFilter{{Name: filter.Flate}}}
	sd.InsertName("Filter", filter.Flate)
	n := int64(len(sd.Raw))
	sd.StreamLength = &n
	sd.Update("Length", types.Integer(n))
	return sd, nil
}
