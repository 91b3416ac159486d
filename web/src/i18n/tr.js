// Turkish message catalog (the default language). Keys must match en.js exactly;
// tests/web/i18n.test.mjs checks that. Placeholders look like {name}.
export default {
  'product.name': 'Hasta Portalı',

  'lang.switcher': 'Dil',
  'lang.tr.short': 'TR',
  'lang.tr.name': 'Türkçe',
  'lang.en.short': 'EN',
  'lang.en.name': 'English',

  'common.loading': 'Yükleniyor…',
  'common.retry': 'Yeniden dene',
  'error.network': 'Sunucuya ulaşılamadı. Bağlantınızı kontrol edip yeniden deneyin.',
  'error.generic': 'Bir şeyler ters gitti. Lütfen biraz sonra yeniden deneyin.',

  'portal.signin.heading': 'Giriş yap',
  'portal.signin.placeholder': 'Yakında buradan telefon numaranız ya da e-posta adresinizle giriş yapabileceksiniz.',
  'portal.notFound.heading': 'Bu portal adresi kullanılamıyor',
  'portal.notFound.body': 'Adresi kontrol edin ya da doğru bağlantı için kliniğinizle iletişime geçin.',
  'portal.footer': '{clinic} hasta portalı',

  'console.name': 'Klinik Konsolu',
  'console.documentTitle': 'Klinik Konsolu · Hasta Portalı',
  'console.nav.label': 'Ana menü',
  'console.nav.locked': 'Giriş yaptıktan sonra kullanılabilir',
  'console.nav.settings': 'Portal ayarları',
  'console.nav.patients': 'Hastalar',
  'console.nav.templates': 'Şablonlar',
  'console.nav.inbox': 'Gelen kutusu',
  'console.nav.deliveries': 'Gönderimler',
  'console.signin.heading': 'Personel girişi',
  'console.signin.email': 'E-posta',
  'console.signin.password': 'Parola',
  'console.signin.submit': 'Giriş yap',
  'console.signin.submitting': 'Giriş yapılıyor…',
  'console.signin.failed': 'Giriş yapılamadı.',
  'console.signedIn': '{name} olarak giriş yaptınız.',
};
