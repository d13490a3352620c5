package store

import (
	"context"
	"testing"
	"time"
)

// TestSendBoxesPersist: the boxes of step 2 are replaced as a whole, kept with the file's size and
// time when the database is opened again, and go with their case.
func TestSendBoxesPersist(t *testing.T) {
	ctx := context.Background()
	s, path, c, other := twoCases(t)
	if got, err := s.SendBoxesOf(ctx, c.ID); err != nil || len(got) != 0 {
		t.Fatalf("no boxes yet: %+v %v", got, err)
	}
	when := time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC)
	photo := SendBoxes{Path: "/r/b.jpg", Size: 4096, ModTime: when, Boxes: `[{"Page":1,"X":10,"Y":20,"Width":30,"Height":40}]`}
	if err := s.SaveSendBoxes(ctx, c.ID, []SendBoxes{{Path: "/r/gone.pdf", Size: 1, ModTime: when, Boxes: "[]"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSendBoxes(ctx, c.ID, []SendBoxes{photo}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSendBoxes(ctx, other.ID, []SendBoxes{{Path: "/o/x.jpg", Size: 2, ModTime: when, Boxes: "[]"}}); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s, path)
	got, err := s.SendBoxesOf(ctx, c.ID)
	if err != nil || len(got) != 1 || got[0].Path != photo.Path || got[0].Size != photo.Size || !got[0].ModTime.Equal(when) || got[0].Boxes != photo.Boxes {
		t.Errorf("after opening again: %+v %v", got, err)
	}
	goesWithCase(t, s, c.ID, "send_boxes", 1,
		func(id int64) error { _, err := s.SendBoxesOf(ctx, id); return err },
		func(id int64) error { return s.SaveSendBoxes(ctx, id, nil) })
}
