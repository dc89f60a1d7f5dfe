package verifier

import (
	"strings"
)

// Texts a person reads for each refusal, Spanish (es-MX) first and English
// second. They live here, not in the host's catalogue (package i18n), so
// that a portal importing this package links no host code; each text is
// defined once, and the demo portal shows these for the verifier's codes.
// A test checks that every code in Codes (and "internal") has both.
type text struct{ es, en string }

var messages = map[string][2]text{ // code → {message, hint}
	"challenge-format":       {{"La solicitud de acceso no es válida.", "The sign-in request is not valid."}, {"Recargue la página y vuelva a intentar.", "Reload the page and try again."}},
	"challenge-unknown":      {{"La solicitud de acceso no fue emitida por este portal o ya caducó.", "The sign-in request was not issued by this portal or has lapsed."}, {"Recargue la página y vuelva a pulsar «Acceder con firma digital».", "Reload the page and click “Acceder con firma digital” again."}},
	"challenge-replayed":     {{"Esta solicitud de acceso ya se utilizó.", "This sign-in request was already used."}, {"Cada acceso se firma una sola vez. Pulse de nuevo «Acceder con firma digital».", "Each sign-in is signed once. Click “Acceder con firma digital” again."}},
	"challenge-expired":      {{"La solicitud de acceso venció.", "The sign-in request expired."}, {"Tiene cinco minutos para firmar. Vuelva a pulsar «Acceder con firma digital».", "You have five minutes to sign. Click “Acceder con firma digital” again."}},
	"challenge-foreign":      {{"La solicitud de acceso pertenece a otra sesión.", "The sign-in request belongs to another session."}, {"Recargue la página en esta misma ventana y vuelva a intentar.", "Reload the page in this same window and try again."}},
	"no-session":             {{"Su sesión no es válida.", "Your session is not valid."}, {"Permita las cookies de este portal y recargue la página.", "Allow this portal's cookies and reload the page."}},
	"store-full":             {{"El portal está atendiendo demasiadas solicitudes.", "The portal is handling too many requests."}, {"Espere unos minutos y vuelva a intentar.", "Wait a few minutes and try again."}},
	"store":                  {{"El portal no pudo registrar la solicitud de acceso.", "The portal could not record the sign-in request."}, {"Vuelva a intentar en unos minutos; si se repite, avise al administrador del portal.", "Try again in a few minutes; if it repeats, tell the portal's administrator."}},
	"token-format":           {{"La respuesta de firma no tiene el formato esperado.", "The signed answer does not have the expected format."}, {"Actualice el Conector e.firma y su extensión, y vuelva a intentar.", "Update the e.firma Connector and its extension, and try again."}},
	"signature-format":       {{"El documento firmado no tiene el formato esperado.", "The signed document does not have the expected format."}, {"Actualice el Conector e.firma y su extensión, y vuelva a firmar.", "Update the e.firma Connector and its extension, and sign again."}},
	"certificate":            {{"El certificado recibido no se puede leer.", "The certificate received cannot be read."}, {"Vuelva a importar su e.firma (archivos .cer y .key) en el Conector.", "Import your e.firma (.cer and .key files) into the Connector again."}},
	"cert-expired":           {{"Su e.firma venció.", "Your e.firma has expired."}, {"Renueve su e.firma en el portal del SAT con SAT ID o con cita en una oficina del SAT.", "Renew your e.firma at SAT online (SAT ID) or in person with an appointment."}},
	"cert-not-yet-valid":     {{"Su e.firma todavía no es válida.", "Your e.firma is not valid yet."}, {"Espere a la fecha de inicio de vigencia de su certificado.", "Wait until your certificate's start date."}},
	"not-trusted":            {{"El certificado no fue emitido por el SAT.", "The certificate was not issued by SAT."}, {"Use la e.firma que le entregó el SAT.", "Use the e.firma SAT issued to you."}},
	"not-fiel":               {{"Este certificado no es una e.firma (FIEL).", "This certificate is not an e.firma (FIEL)."}, {"El Certificado de Sello Digital (CSD) sirve para facturar, no para iniciar sesión. Elija su e.firma.", "The digital seal certificate (CSD) is for invoices, not for signing in. Choose your e.firma."}},
	"rfc-not-allowed":        {{"Este RFC no tiene acceso a este portal.", "This RFC has no access to this portal."}, {"Si cree que debería tener acceso, comuníquese con el administrador del portal.", "If you believe you should have access, contact the portal's administrator."}},
	"algorithm":              {{"El algoritmo de la firma no corresponde al certificado.", "The signature algorithm does not match the certificate."}, {"Actualice el Conector e.firma y vuelva a intentar.", "Update the e.firma Connector and try again."}},
	"bad-signature":          {{"La firma no es válida para este portal.", "The signature is not valid for this portal."}, {"Vuelva a firmar desde esta página. Si llegó aquí desde un enlace, escriba la dirección del portal usted mismo.", "Sign again from this page. If you came here through a link, type the portal's address yourself."}},
	"data-reserved":          {{"Los datos firmados tienen un formato reservado para el inicio de sesión.", "The signed data uses a format reserved for signing in."}, {"Un documento firmado no puede usarse como acceso. Avise al portal.", "A signed document cannot be used to sign in. Tell the portal."}},
	"revoked":                {{"Su e.firma fue revocada.", "Your e.firma has been revoked."}, {"Tramite una nueva e.firma en el SAT.", "Obtain a new e.firma from SAT."}},
	"revocation-unknown":     {{"El servicio del SAT no reconoce este certificado.", "SAT's status service does not know this certificate."}, {"Use la e.firma vigente que le entregó el SAT.", "Use the current e.firma SAT issued to you."}},
	"revocation-response":    {{"No se pudo comprobar el estado de su e.firma.", "The status of your e.firma could not be checked."}, {"Vuelva a intentar en unos minutos.", "Try again in a few minutes."}},
	"revocation-unavailable": {{"El servicio de estado de la e.firma del SAT no responde.", "SAT's e.firma status service does not answer."}, {"Vuelva a intentar en unos minutos.", "Try again in a few minutes."}},
	"internal":               {{"Ocurrió un error en el portal.", "An error occurred in the portal."}, {"Vuelva a intentar; si se repite, avise al administrador del portal.", "Try again; if it repeats, tell the portal's administrator."}},
}

// Message returns the text a person reads for err, and what to do about
// it, in the language of tag (a BCP 47 tag such as "es-MX" or "en-US"):
// English for "en…", Spanish otherwise. An error that wraps no refusal of
// this package reads as "internal".
func Message(tag string, err error) (message, hint string) {
	message, hint, _ = MessageFor(tag, CodeOf(err))
	return message, hint
}

// MessageFor is Message for a code ("not-fiel"); ok is false when the code
// is not one of this package's.
func MessageFor(tag, code string) (message, hint string, ok bool) {
	m, ok := messages[code]
	if !ok {
		return "", "", false
	}
	if strings.HasPrefix(strings.ToLower(tag), "en") {
		return m[0].en, m[1].en, true
	}
	return m[0].es, m[1].es, true
}
