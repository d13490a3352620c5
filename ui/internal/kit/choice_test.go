package kit

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

// A choice holds values and shows labels: choosing by the label (as a person does) gives the value,
// setting a value shows its label, and a value that is not an option chooses nothing.
func TestChoice(t *testing.T) {
	test.NewTempApp(t)
	label := map[int]string{1: "one", 2: "two", 3: "three"}
	var got []int
	r := NewRadio([]int{1, 2, 3}, func(v int) string { return label[v] }, func(v int, ok bool) {
		if ok {
			got = append(got, v)
		}
	})
	if _, ok := r.Value(); ok || r.Object() != r.Radio {
		t.Fatal("a new radio choice has a value")
	}
	r.Radio.SetSelected("two")
	if v, ok := r.Value(); !ok || v != 2 || !r.Is(2) || r.Is(3) {
		t.Errorf("chose %v %v", v, ok)
	}
	r.SetValue(3)
	if r.Radio.Selected != "three" {
		t.Errorf("value 3 shows %q", r.Radio.Selected)
	}
	r.SetValue(7)
	if _, ok := r.Value(); ok || r.Radio.Selected != "" {
		t.Errorf("value 7 shows %q", r.Radio.Selected)
	}
	if len(got) != 2 || got[0] != 2 || got[1] != 3 {
		t.Errorf("changed got %v", got)
	}

	// A drop-down likewise.
	s := NewSelect([]string{"a", "b"}, func(v string) string { return "label " + v }, nil)
	s.SetValue("b")
	if v, ok := s.Value(); !ok || v != "b" || s.Select.Selected != "label b" || s.Object() != s.Select {
		t.Errorf("select: %q %v", v, ok)
	}
	s.Clear()
	if _, ok := s.Value(); ok {
		t.Error("cleared select has a value")
	}
}
