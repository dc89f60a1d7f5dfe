package satreplica

import "html/template"

const layout = `{{define "top"}}<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>SAT</title>
<style>body{font-family:sans-serif;margin:2em;max-width:46em}#mensaje{color:#a00}</style>
</head><body><header><strong>SAT</strong> Servicio de Administración Tributaria (réplica de pruebas)</header>{{end}}
{{define "bottom"}}</body></html>{{end}}`

func page(body string) *template.Template {
	return template.Must(template.Must(template.New("layout").Parse(layout)).New("page").Parse(`{{template "top"}}` + body + `{{template "bottom"}}`))
}

var homePage = page(`
<main id="inicio">
<h1>Trámites del RFC</h1>
<p>Para ingresar a los servicios necesitas tu contraseña o tu e.firma.</p>
<p><a id="iniciar" href="{{.CIEC}}">Iniciar sesión</a></p>
<p><a id="efirma" href="{{.Login}}">Iniciar sesión con e.firma</a></p>
</main>`)

var ciecPage = page(`
<main id="ciec">
<h1>Acceso por contraseña</h1>
<form id="IDPLogin" method="post" action="/nidp/app/login?sid=0&amp;id=contr">
<label>RFC <input name="Ecom_User_ID" id="rfc"></label>
<label>Contraseña <input type="password" name="Ecom_Password" id="password"></label>
<input type="submit" value="Enviar">
</form>
<p><a id="efirma" href="/nidp/app/login?id=fiel">e.firma</a></p>
</main>`)

// fielPage is the e.firma login: form#certform with the hidden guid, the
// file inputs, the password, and page JavaScript that refuses to submit
// without them (as SAT's page would, since its script signs in the page).
// An input named "submit" shadows form.submit, as many real pages do.
var fielPage = page(`
<main id="efirma">
<h1>Acceso con e.firma</h1>
<form id="certform" name="certform" method="post" action="{{.Action}}">
{{if .WithTokenInputs}}<input type="hidden" id="token" name="token" value="">
<input type="hidden" id="fert" name="fert" value="">{{end}}
<input type="hidden" id="guid" name="guid" value="{{.GUID}}">
<input type="hidden" id="credentialsRequired" name="credentialsRequired" value="CERT">
<p><label>Certificado (.cer) <input type="file" id="fileCertificate" name="fileCertificate" accept=".cer"></label></p>
<p><label>Clave privada (.key) <input type="file" id="filePrivateKey" name="filePrivateKey" accept=".key"></label></p>
<p><label>Contraseña de clave privada <input type="password" id="privateKeyPassword" name="privateKeyPassword"></label></p>
<p><label>RFC <input id="rfc" name="rfc" readonly></label></p>
<p id="mensaje"></p>
<input type="button" id="submit" name="submit" value="Enviar">
</form>
<p><a href="/nidp/app/login?id=contr">Contraseña</a></p>
</main>
<script>
(function () {
  var form = document.getElementById("certform");
  var msg = document.getElementById("mensaje");
  function required() {
    if (!form.fileCertificate.value || !form.filePrivateKey.value || !form.privateKeyPassword.value) {
      msg.textContent = "Capture los datos requeridos: certificado, clave privada y contraseña.";
      return false;
    }
    msg.textContent = "Esta réplica no firma en la página.";
    return false;
  }
  document.getElementById("submit").addEventListener("click", required);
  form.addEventListener("submit", function (ev) {
    if (!required()) ev.preventDefault();
  });
})();
</script>`)

var welcomePage = page(`
<main id="bienvenida">
<h1>Bienvenido</h1>
<p id="autenticado">RFC autenticado: {{.RFC}}</p>
</main>`)

var refusedPage = page(`
<main id="rechazo">
<h1>No fue posible iniciar sesión</h1>
<p id="motivo">Acceso denegado: {{.Reason}}</p>
<p><a href="{{.Login}}">Intentar de nuevo</a></p>
</main>`)
