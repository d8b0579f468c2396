package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestMockPageListsEveryFlag holds MOCK.md's flag table to the flags the command
// defines (as -h prints them), both ways.
func TestMockPageListsEveryFlag(t *testing.T) {
	var usage bytes.Buffer
	if _, err := parseFlags([]string{"-h"}, &usage); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	var defined []string
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z-]+)`).FindAllStringSubmatch(usage.String(), -1) {
		defined = append(defined, m[1])
	}
	if len(defined) < 10 {
		t.Fatalf("read %d flags from -h:\n%s", len(defined), usage.String())
	}

	page, err := os.ReadFile("../../../MOCK.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(page)
	start := strings.Index(text, "\n## Flags\n")
	end := strings.Index(text[start+1:], "\n## ")
	if start < 0 || end < 0 {
		t.Fatal("no Flags section")
	}
	var listed []string
	for _, m := range regexp.MustCompile("(?m)^\\| `-([a-z-]+)` \\|").FindAllStringSubmatch(text[start:start+1+end], -1) {
		listed = append(listed, m[1])
	}
	for _, f := range defined {
		if !slices.Contains(listed, f) {
			t.Errorf("MOCK.md's flag table lacks -%s", f)
		}
	}
	for _, f := range listed {
		if !slices.Contains(defined, f) {
			t.Errorf("MOCK.md lists -%s, which the command does not define", f)
		}
	}
}
