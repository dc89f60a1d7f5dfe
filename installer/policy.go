package installer

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"

	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/internal/psl"
)

// Update URLs of the two stores, as ExtensionInstallForcelist expects them
// (the UpdateURL of their rows in Browsers).
const (
	ChromeUpdateURL = "https://clients2.google.com/service/update2/crx"
	EdgeUpdateURL   = "https://edge.microsoft.com/extensionwebstorebase/v1/crx"
)

// mustBrowser returns a row the package itself names.
func mustBrowser(id string) Browser {
	b, ok := browserByID(id)
	if !ok {
		panic("internal error: no browser " + id)
	}
	return b
}

// Policy output formats.
const (
	FormatLinuxJSON         = "linux-json"
	FormatWindowsReg        = "windows-reg"
	FormatMacOSMobileconfig = "macos-mobileconfig"
	FormatADMX              = "admx"
)

// PolicyFormats lists the formats RenderPolicy writes.
var PolicyFormats = []string{FormatLinuxJSON, FormatWindowsReg, FormatMacOSMobileconfig, FormatADMX}

// PolicyOptions are the inputs of the IT policy kit.
type PolicyOptions struct {
	ChromeID string // extension ID in the Chrome Web Store
	EdgeID   string // extension ID in Microsoft Edge Add-ons
	// Portals are https origins or "https://*.domain" patterns added to the
	// extension's defaults (its managed "allowedPortals").
	Portals []string
	// DisableUserLevelHosts sets NativeMessagingUserLevelHosts=false, so
	// only the system-wide host (the .deb, the MSI) is used.
	DisableUserLevelHosts bool
	// Browser picks "chrome" (default; also Chromium and Brave) or "edge"
	// for FormatLinuxJSON, whose file only one browser reads.
	Browser string
	// DownloadURL is where people download the connector (the extension's
	// managed "connectorDownloadUrl", linked from its install page): an
	// https URL checked by ValidateDownloadURL. Empty writes nothing.
	DownloadURL string
}

// maxPortals matches the extension, which reads at most 200 managed portals.
const maxPortals = 200

var portalPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^https://(\*\.)?([a-z0-9.-]+)(:\d{1,5})?$`) })

// ErrBadPortal is returned for a portal that is not an https origin or
// "https://*.domain" pattern.
var ErrBadPortal = errors.New(`portal must be https://host[:port] or https://*.domain`)

// ErrBroadPortal is returned for a wildcard over a public suffix of the
// Public Suffix List ("https://*.com", "https://*.gob.mx",
// "https://*.github.io") or over a name with one below it
// ("https://*.amazonaws.com"; internal/psl): it would allow sites others
// registered there.
var ErrBroadPortal = errors.New("a wildcard portal must be below an organisation's domain, not a public suffix")

// MaxDownloadURL is the longest download URL, in bytes: the extension
// ignores a longer connectorDownloadUrl (extension/shared/messages.js
// downloadUrl), and the ADMX text box takes no more.
const MaxDownloadURL = 2048

// ErrBadDownloadURL is returned for a download URL the extension would not
// link to. The errors below wrap it and say why.
var ErrBadDownloadURL = errors.New("download URL is not a valid https URL")

// Reasons a download URL is refused; each wraps ErrBadDownloadURL.
var (
	ErrDownloadURLNotHTTPS  = fmt.Errorf("%w: scheme is not https", ErrBadDownloadURL)
	ErrDownloadURLNoHost    = fmt.Errorf("%w: no valid host", ErrBadDownloadURL)
	ErrDownloadURLUserinfo  = fmt.Errorf("%w: it holds a user name or password", ErrBadDownloadURL)
	ErrDownloadURLTooLong   = fmt.Errorf("%w: longer than %d bytes", ErrBadDownloadURL, MaxDownloadURL)
	ErrDownloadURLCharacter = fmt.Errorf("%w: space, control character, backslash or non-ASCII character", ErrBadDownloadURL)
)

var hostLabel = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$`) })

// ValidateDownloadURL checks a connector download URL as the extension
// accepts it (extension/shared/messages.js downloadUrl: a URL with the
// https scheme, a host and no user name or password, at most
// MaxDownloadURL long), and a little stricter where a browser would
// silently rewrite what IT typed: only printable ASCII without spaces or
// backslashes (a browser reads "\" as "/"; use punycode and
// percent-encoding), a host of DNS labels or an IPv4 or bracketed IPv6
// address, a port up to 65535. Both sides are tested with the vectors of
// extension/test/download-urls.json.
func ValidateDownloadURL(s string) error {
	if len(s) > MaxDownloadURL {
		return fmt.Errorf("%d: %w", len(s), ErrDownloadURLTooLong)
	}
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || c == '\\' {
			return fmt.Errorf("%q: %w", s, ErrDownloadURLCharacter)
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.EqualFold(scheme, "https") {
			return fmt.Errorf("%q: %w", s, ErrDownloadURLNotHTTPS)
		}
		return fmt.Errorf("%q: %w", s, ErrDownloadURLNoHost)
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return fmt.Errorf("%q: %w", s, ErrDownloadURLNotHTTPS)
	}
	if u.Opaque != "" || !strings.HasPrefix(s[len(u.Scheme):], "://") {
		return fmt.Errorf("%q: %w", s, ErrDownloadURLNoHost)
	}
	authority, _, _ := strings.Cut(s[len(u.Scheme)+3:], "/")
	authority, _, _ = strings.Cut(authority, "?")
	authority, _, _ = strings.Cut(authority, "#")
	if u.User != nil || strings.Contains(authority, "@") {
		// The error does not repeat the password.
		return fmt.Errorf("%q: %w", u.Redacted(), ErrDownloadURLUserinfo)
	}
	if !validURLHost(u) {
		return fmt.Errorf("%q: %w", s, ErrDownloadURLNoHost)
	}
	return nil
}

// validURLHost reports whether u has a host a browser opens as written:
// DNS labels (the last one not all digits), a dotted IPv4 address or a
// bracketed IPv6 address, and an optional port up to 65535.
func validURLHost(u *url.URL) bool {
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n > 65535 {
			return false
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return false
	}
	h := strings.ToLower(u.Hostname())
	if strings.HasPrefix(u.Host, "[") {
		ip, err := netip.ParseAddr(h)
		return err == nil && ip.Is6() && ip.Zone() == ""
	}
	labels := strings.Split(strings.TrimSuffix(h, "."), ".")
	if last := labels[len(labels)-1]; strings.Trim(last, "0123456789") == "" || strings.HasPrefix(last, "0x") {
		// A browser reads a host ending in a number as an IPv4 address.
		ip, err := netip.ParseAddr(h)
		return err == nil && ip.Is4()
	}
	for _, l := range labels {
		if len(l) > 63 || !hostLabel().MatchString(l) {
			return false
		}
	}
	return true
}

// ErrBadFormat is returned for an unknown policy format.
var ErrBadFormat = errors.New("unknown policy format")

// ValidatePortal checks one portal pattern with the extension's grammar
// (extension/shared/origins.js patternMatches), lowercase and without path.
func ValidatePortal(p string) error {
	m := portalPattern().FindStringSubmatch(p)
	if m == nil || strings.HasPrefix(m[2], ".") || strings.HasSuffix(m[2], ".") || strings.Contains(m[2], "..") || m[2] == "" {
		return fmt.Errorf("%q: %w", p, ErrBadPortal)
	}
	if m[1] != "" && psl.WildcardTooBroad(m[2]) {
		return fmt.Errorf("%q: %w", p, ErrBroadPortal)
	}
	return nil
}

func (p PolicyOptions) validate() error {
	if err := ValidateExtensionID(p.ChromeID); err != nil {
		return fmt.Errorf("chrome: %w", err)
	}
	if err := ValidateExtensionID(p.EdgeID); err != nil {
		return fmt.Errorf("edge: %w", err)
	}
	if len(p.Portals) > maxPortals {
		return fmt.Errorf("more than %d portals", maxPortals)
	}
	for _, portal := range p.Portals {
		if err := ValidatePortal(portal); err != nil {
			return err
		}
	}
	if p.Browser != "" && p.Browser != "chrome" && p.Browser != "edge" {
		return fmt.Errorf("%q: %w (chrome or edge)", p.Browser, ErrUnknownBrowser)
	}
	if p.DownloadURL != "" {
		if err := ValidateDownloadURL(p.DownloadURL); err != nil {
			return err
		}
	}
	return nil
}

// RenderPolicy writes the policy kit in one format. It returns the files by
// suggested name: one for every format except FormatADMX, which returns
// efirma.admx and its es-MX and en-US efirma.adml.
func RenderPolicy(format string, p PolicyOptions) (map[string][]byte, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	switch format {
	case FormatLinuxJSON:
		b, err := linuxJSON(p)
		return map[string][]byte{"efirma.json": b}, err
	case FormatWindowsReg:
		return map[string][]byte{"efirma.reg": windowsReg(p)}, nil
	case FormatMacOSMobileconfig:
		return map[string][]byte{"efirma.mobileconfig": mobileconfig(p)}, nil
	case FormatADMX:
		return admx(p), nil
	}
	return nil, fmt.Errorf("%q: %w", format, ErrBadFormat)
}

// browserPolicy is the per-browser data every format writes.
type browserPolicy struct {
	id, updateURL string
	regKey        string // HKLM policy key
	macDomain     string // macOS preference domain
}

func (p PolicyOptions) browsers() []browserPolicy {
	row := func(id, extID string) browserPolicy {
		b := mustBrowser(id)
		return browserPolicy{extID, b.UpdateURL, `SOFTWARE\` + strings.TrimPrefix(b.WindowsPolicyKey, `Software\`), b.MacPolicyDomain}
	}
	return []browserPolicy{row("chrome", p.ChromeID), row("edge", p.EdgeID)}
}

func (p PolicyOptions) portals() []string {
	if p.Portals == nil {
		return []string{}
	}
	return p.Portals
}

// managedConfig is the extension's storage.managed_schema
// (extension/managed_schema.json).
type managedConfig struct {
	AllowedPortals       []string `json:"allowedPortals"`
	DeveloperMode        bool     `json:"developerMode"`
	ConnectorDownloadURL string   `json:"connectorDownloadUrl,omitempty"`
}

func linuxJSON(p PolicyOptions) ([]byte, error) {
	b := p.browsers()[0]
	if p.Browser == "edge" {
		b = p.browsers()[1]
	}
	doc := struct {
		Forcelist      []string `json:"ExtensionInstallForcelist"`
		Allowlist      []string `json:"NativeMessagingAllowlist"`
		UserLevelHosts *bool    `json:"NativeMessagingUserLevelHosts,omitempty"`
		ThirdParty     struct {
			Extensions map[string]managedConfig `json:"extensions"`
		} `json:"3rdparty"`
	}{
		Forcelist: []string{b.id + ";" + b.updateURL},
		Allowlist: []string{HostName},
	}
	if p.DisableUserLevelHosts {
		f := false
		doc.UserLevelHosts = &f
	}
	doc.ThirdParty.Extensions = map[string]managedConfig{b.id: {AllowedPortals: p.portals(), DeveloperMode: false, ConnectorDownloadURL: p.DownloadURL}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("internal error: encode policy: %w", err)
	}
	return buf.Bytes(), nil
}

// regString quotes a REG_SZ value for a .reg file.
func regString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// windowsReg writes a regedit file (UTF-16LE with BOM, CRLF, as regedit
// writes "Version 5.00" files) for HKLM. The portal list key is deleted
// first so that portals removed since the last run go away; list policies
// shared with other extensions (forcelist, allowlist) are not deleted, so
// our entry is value "1" and replaces a value "1" already there —
// see docs/DEPLOYMENT.md. Without a download URL the connectorDownloadUrl
// value is left as it is (IT may set it by Group Policy instead).
func windowsReg(p PolicyOptions) []byte {
	var s strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&s, format+"\r\n", args...) }
	line("Windows Registry Editor Version 5.00")
	line("")
	line("; Conector e.firma: policies for Google Chrome and Microsoft Edge (efirma policy --format windows-reg)")
	for _, b := range p.browsers() {
		hk := `HKEY_LOCAL_MACHINE\` + b.regKey
		line("")
		line("[%s\\ExtensionInstallForcelist]", hk)
		line(`"1"=%s`, regString(b.id+";"+b.updateURL))
		line("")
		line("[%s\\NativeMessagingAllowlist]", hk)
		line(`"1"=%s`, regString(HostName))
		if p.DisableUserLevelHosts {
			line("")
			line("[%s]", hk)
			line(`"NativeMessagingUserLevelHosts"=dword:00000000`)
		}
		ext := hk + `\3rdparty\extensions\` + b.id + `\policy`
		line("")
		line("[%s]", ext)
		line(`"developerMode"=dword:00000000`)
		if p.DownloadURL != "" {
			line(`"connectorDownloadUrl"=%s`, regString(p.DownloadURL))
		}
		line("")
		line("[-%s\\allowedPortals]", ext)
		line("")
		line("[%s\\allowedPortals]", ext)
		for i, portal := range p.Portals {
			line(`"%d"=%s`, i+1, regString(portal))
		}
	}
	u := utf16.Encode([]rune(s.String()))
	out := make([]byte, 2, 2+2*len(u))
	out[0], out[1] = 0xff, 0xfe
	for _, c := range u {
		out = append(out, byte(c), byte(c>>8))
	}
	return out
}

// plist values: string, bool, int, []any and plistDict (ordered).
type plistDict []plistKV

type plistKV struct {
	k string
	v any
}

func writePlist(s *strings.Builder, v any, indent string) {
	switch v := v.(type) {
	case string:
		fmt.Fprintf(s, "%s<string>%s</string>\n", indent, xmlEscape(v))
	case bool:
		fmt.Fprintf(s, "%s<%t/>\n", indent, v)
	case int:
		fmt.Fprintf(s, "%s<integer>%d</integer>\n", indent, v)
	case []string:
		fmt.Fprintf(s, "%s<array>\n", indent)
		for _, e := range v {
			writePlist(s, e, indent+"\t")
		}
		fmt.Fprintf(s, "%s</array>\n", indent)
	case []any:
		fmt.Fprintf(s, "%s<array>\n", indent)
		for _, e := range v {
			writePlist(s, e, indent+"\t")
		}
		fmt.Fprintf(s, "%s</array>\n", indent)
	case plistDict:
		fmt.Fprintf(s, "%s<dict>\n", indent)
		for _, kv := range v {
			fmt.Fprintf(s, "%s\t<key>%s</key>\n", indent, xmlEscape(kv.k))
			writePlist(s, kv.v, indent+"\t")
		}
		fmt.Fprintf(s, "%s</dict>\n", indent)
	default:
		panic(fmt.Sprintf("internal error: plist type %T", v))
	}
}

// stableUUID derives a UUID from a name so that regenerating a profile
// with the same inputs gives the same file (and MDMs see an update, not a
// new profile).
func stableUUID(name string) string {
	h := sha256.Sum256([]byte("efirma-mobileconfig:" + name))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16]))
}

func mobileconfig(p PolicyOptions) []byte {
	const base = "mx.efirma.conector.policy"
	payload := func(typ, ident string, settings plistDict) plistDict {
		d := plistDict{
			{"PayloadType", typ},
			{"PayloadIdentifier", base + "." + ident},
			{"PayloadUUID", stableUUID(ident + ":" + typ)},
			{"PayloadVersion", 1},
			{"PayloadDisplayName", "Conector e.firma: " + typ},
		}
		return append(d, settings...)
	}
	var content []any
	for _, b := range p.browsers() {
		browser := plistDict{
			{"ExtensionInstallForcelist", []string{b.id + ";" + b.updateURL}},
			{"NativeMessagingAllowlist", []string{HostName}},
		}
		if p.DisableUserLevelHosts {
			browser = append(browser, plistKV{"NativeMessagingUserLevelHosts", false})
		}
		ext := plistDict{
			{"allowedPortals", p.portals()},
			{"developerMode", false},
		}
		if p.DownloadURL != "" {
			ext = append(ext, plistKV{"connectorDownloadUrl", p.DownloadURL})
		}
		content = append(content,
			payload(b.macDomain, b.macDomain, browser),
			payload(b.macDomain+".extensions."+b.id, b.macDomain+".extension", ext))
	}
	root := plistDict{
		{"PayloadContent", content},
		{"PayloadDisplayName", "Conector e.firma"},
		{"PayloadDescription", "Chrome and Edge policies for the Conector e.firma extension and native host."},
		{"PayloadIdentifier", base},
		{"PayloadOrganization", "Conector e.firma"},
		{"PayloadScope", "System"},
		{"PayloadType", "Configuration"},
		{"PayloadUUID", stableUUID(base + ":" + p.ChromeID + ":" + p.EdgeID)},
		{"PayloadVersion", 1},
	}
	var s strings.Builder
	s.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	s.WriteString(`<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">` + "\n")
	s.WriteString(`<plist version="1.0">` + "\n")
	writePlist(&s, root, "")
	s.WriteString("</plist>\n")
	return []byte(s.String())
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}

// admxPolicy is one policy of the ADMX template: a fixed value
// (enabled), a list or a text box.
type admxPolicy struct {
	name, browser  string // browser: "Chrome" or "Edge" (category and strings)
	key, valueName string // valueName: of the value, or of the text box's
	enabled        string // <enabledValue> content of a fixed-value policy
	kind           admxKind
	explain        []any // arguments of the explanation text
}

type admxKind int

const (
	admxValue admxKind = iota
	admxList
	admxText
)

func admxPolicies(p PolicyOptions) []admxPolicy {
	var out []admxPolicy
	for i, b := range p.browsers() {
		br := []string{"Chrome", "Edge"}[i]
		k := `Software\Policies\` + strings.TrimPrefix(b.regKey, `SOFTWARE\Policies\`)
		ext := k + `\3rdparty\extensions\` + b.id + `\policy`
		out = append(out,
			admxPolicy{br + "_ForceInstall", br, k + `\ExtensionInstallForcelist`, "1", "<string>" + xmlEscape(b.id+";"+b.updateURL) + "</string>", admxValue, []any{b.id}},
			admxPolicy{br + "_AllowHost", br, k + `\NativeMessagingAllowlist`, "1", "<string>" + HostName + "</string>", admxValue, nil},
			admxPolicy{br + "_SystemHostsOnly", br, k, "NativeMessagingUserLevelHosts", `<decimal value="0"/>`, admxValue, nil},
			admxPolicy{br + "_DeveloperModeOff", br, ext, "developerMode", `<decimal value="0"/>`, admxValue, []any{b.id}},
			admxPolicy{br + "_Portals", br, ext + `\allowedPortals`, "", "", admxList, []any{b.id, strings.Join(p.Portals, ", ")}},
			admxPolicy{br + "_DownloadUrl", br, ext, "connectorDownloadUrl", "", admxText, []any{b.id, MaxDownloadURL}},
		)
	}
	return out
}

// admx writes an ADMX template with its es-MX and en-US ADML. The extension
// IDs are fixed in the registry keys, so regenerate it when they change.
// Portals cannot be preset in ADMX; the admin types them in the list. The
// download URL is a text box, filled in with PolicyOptions.DownloadURL when
// given; the policy is there either way, so IT can set it later.
func admx(p PolicyOptions) map[string][]byte {
	pols := admxPolicies(p)
	var x strings.Builder
	x.WriteString(`<?xml version="1.0" encoding="utf-8"?>
<policyDefinitions xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">
  <policyNamespaces>
    <target prefix="efirma" namespace="EFirma.Policies.Conector"/>
  </policyNamespaces>
  <resources minRequiredRevision="1.0"/>
  <supportedOn>
    <definitions>
      <definition name="SUPPORTED_CHROMIUM" displayName="$(string.SUPPORTED_CHROMIUM)"/>
    </definitions>
  </supportedOn>
  <categories>
    <category name="efirma" displayName="$(string.efirma)"/>
    <category name="efirma_Chrome" displayName="$(string.efirma_Chrome)"><parentCategory ref="efirma"/></category>
    <category name="efirma_Edge" displayName="$(string.efirma_Edge)"><parentCategory ref="efirma"/></category>
  </categories>
  <policies>
`)
	for _, pol := range pols {
		fmt.Fprintf(&x, `    <policy name="%s" class="Machine" displayName="$(string.%s)" explainText="$(string.%s_Explain)" key="%s"`,
			pol.name, pol.name, pol.name, xmlEscape(pol.key))
		if pol.kind == admxValue {
			fmt.Fprintf(&x, ` valueName="%s">`+"\n", pol.valueName)
		} else {
			fmt.Fprintf(&x, ` presentation="$(presentation.%s)">`+"\n", pol.name)
		}
		fmt.Fprintf(&x, "      <parentCategory ref=\"efirma_%s\"/>\n      <supportedOn ref=\"SUPPORTED_CHROMIUM\"/>\n", pol.browser)
		switch pol.kind {
		case admxList:
			fmt.Fprintf(&x, "      <elements>\n        <list id=\"%sList\" key=\"%s\" valuePrefix=\"\"/>\n      </elements>\n", pol.name, xmlEscape(pol.key))
		case admxText:
			fmt.Fprintf(&x, "      <elements>\n        <text id=\"%sText\" valueName=\"%s\" maxLength=\"%d\" required=\"true\"/>\n      </elements>\n", pol.name, pol.valueName, MaxDownloadURL)
		default:
			fmt.Fprintf(&x, "      <enabledValue>%s</enabledValue>\n      <disabledValue><delete/></disabledValue>\n", pol.enabled)
		}
		x.WriteString("    </policy>\n")
	}
	x.WriteString("  </policies>\n</policyDefinitions>\n")

	files := map[string][]byte{"efirma.admx": []byte(x.String())}
	for _, lang := range []struct {
		dir  string
		lang i18n.Lang
	}{{"es-MX", i18n.ES}, {"en-US", i18n.EN}} {
		t := func(key string, args ...any) string {
			return xmlEscape(i18n.T(lang.lang, "installer.admx."+key, args...))
		}
		var l strings.Builder
		fmt.Fprintf(&l, `<?xml version="1.0" encoding="utf-8"?>
<policyDefinitionResources xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">
  <displayName>%s</displayName>
  <description>%s</description>
  <resources>
    <stringTable>
`, t("efirma"), t("description"))
		str := func(id, text string) { fmt.Fprintf(&l, "      <string id=\"%s\">%s</string>\n", id, text) }
		str("SUPPORTED_CHROMIUM", t("supported"))
		str("efirma", t("efirma"))
		str("efirma_Chrome", "Google Chrome")
		str("efirma_Edge", "Microsoft Edge")
		for _, pol := range pols {
			kind := strings.TrimPrefix(pol.name, pol.browser+"_")
			str(pol.name, t(kind))
			str(pol.name+"_Explain", t(kind+"_Explain", pol.explain...))
		}
		l.WriteString("    </stringTable>\n    <presentationTable>\n")
		for _, pol := range pols {
			switch pol.kind {
			case admxList:
				fmt.Fprintf(&l, "      <presentation id=\"%s\">\n        <listBox refId=\"%sList\">%s</listBox>\n      </presentation>\n", pol.name, pol.name, t("PortalsLabel"))
			case admxText:
				def := ""
				if p.DownloadURL != "" {
					def = "<defaultValue>" + xmlEscape(p.DownloadURL) + "</defaultValue>"
				}
				fmt.Fprintf(&l, "      <presentation id=\"%s\">\n        <textBox refId=\"%sText\"><label>%s</label>%s</textBox>\n      </presentation>\n", pol.name, pol.name, t("DownloadUrlLabel"), def)
			}
		}
		l.WriteString("    </presentationTable>\n  </resources>\n</policyDefinitionResources>\n")
		files[lang.dir+"/efirma.adml"] = []byte(l.String())
	}
	return files
}
