package client

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds on what a server can put into an error or a log line.
const (
	// maxShownMessage bounds one error message of the API, in bytes.
	maxShownMessage = 300
	// maxShownMessages is how many error (or info) messages an APIError keeps; the rest
	// are counted (APIError.MoreErrors, MoreMessages).
	maxShownMessages = 10
	// maxShownField bounds the short texts beside a message (source pointer, documentation
	// URL) and a transport error's text.
	maxShownField = 200
	// cleanWindow is how much of a long text is looked at to show its first few hundred
	// bytes: the rest could never be shown.
	cleanWindow = 16 << 10
)

// cleanText makes text a server sent safe to show on one line of an error or a log: invalid
// UTF-8 becomes U+FFFD, ANSI escape sequences and other control and format characters are
// removed, line breaks and tabs become spaces (so a forged "\n\nError: ..." line cannot
// appear), runs of spaces collapse and the ends are trimmed. It does not bound the length:
// see bound and cleanBounded.
func cleanText(s string) string {
	if plainLine(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	pendingSpace := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x1b: // ESC: a terminal escape sequence
			i = skipEscape(s, i+size)
			continue
		case r == 0x9b: // C1 CSI
			i = skipCSI(s, i+size)
			continue
		case unicode.IsSpace(r):
			pendingSpace = b.Len() > 0
			i += size
			continue
		case unicode.In(r, unicode.Cc, unicode.Cf):
			i += size
			continue
		}
		if pendingSpace {
			b.WriteByte(' ')
			pendingSpace = false
		}
		b.WriteRune(r) // an invalid byte decodes as, and is written as, U+FFFD
		i += size
	}
	return b.String()
}

// plainLine reports text cleanText would leave as it is: printable ASCII, single spaces,
// no space at either end. Most of what the API sends is; checking is cheaper than copying.
func plainLine(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c > 0x7e || (c == ' ' && s[i+1] == ' ') {
			return false
		}
	}
	return true
}

// cleanBounded is cleanText, then bound to limit bytes. Only the first cleanWindow
// bytes of a long text are looked at: the rest could never be shown.
func cleanBounded(s string, limit int) string {
	return cleanMasked(s, limit, cleanWindow, nil)
}

// cleanMasked cleans the first window bytes of s, masks the credentials' forms in them
// (before and after cleaning, so whitespace or escapes inside an echo do not hide one) and
// bounds the result to limit bytes. The cut comes after masking, and window leaves room past
// limit, so a cut never shows part of a credential.
func cleanMasked(s string, limit, window int, credentials []string) string {
	w, windowed := s, len(s) > window
	if windowed {
		w = cutBytes(w, window)
	}
	w = maskCredentials(cleanText(maskCredentials(w, credentials)), credentials)
	return bound(w, limit, len(s), windowed)
}

// bound keeps at most limit bytes of s, cut on a rune boundary, and marks a cut (or an
// earlier one, cut) with the size of the original text, total bytes.
func bound(s string, limit, total int, cut bool) string {
	if len(s) > limit {
		s, cut = cutBytes(s, limit), true
	}
	if !cut {
		return s
	}
	return s + "…[cut from " + strconv.Itoa(total) + " bytes]"
}

// skipEscape returns the index just past the escape sequence whose ESC ended before i
// (ECMA-48: CSI, the string commands OSC/DCS/SOS/PM/APC, and two-character sequences).
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[':
		return skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_':
		// A string command runs to BEL or ST (ESC \); unterminated, it runs to the end.
		for j := i + 1; j < len(s); j++ {
			if s[j] == 0x07 {
				return j + 1
			}
			if s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\' {
				return j + 2
			}
		}
		return len(s)
	}
	// Intermediate bytes, then one final byte.
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipCSI returns the index just past a control sequence's parameters, intermediates and
// final byte, starting at i (just after "ESC [" or C1 CSI).
func skipCSI(s string, i int) int {
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x3f {
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		i++
	}
	return i
}

// cutBytes keeps at most n bytes of s, on a rune boundary, without a marker. It bounds text
// kept for decisions, never shown.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
