package i18n

import (
	"fmt"
	"time"
)

var monthsES = [...]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}

// LongDate writes a date the way people read it: «17 de mayo de 2027» in
// Spanish, "May 17, 2027" in English (the page library's longDate does the
// same in the browser).
func LongDate(lang Lang, t time.Time) string {
	if lang == EN {
		return t.Format("January 2, 2006")
	}
	return fmt.Sprintf("%d de %s de %d", t.Day(), monthsES[t.Month()-1], t.Year())
}

// LongDateTime is LongDate with the time of day («1 de enero de 2031, 06:00»).
func LongDateTime(lang Lang, t time.Time) string {
	return LongDate(lang, t) + t.Format(", 15:04")
}
