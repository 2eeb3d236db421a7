// The demo's apparel section: garments and sample models from the synthetic
// test split (copied into apparel/ by scripts/build-site.sh). Each product card
// carries a <vitrine-try-on> element.

const { garments, models } = await fetch('apparel/apparel.json').then((r) => r.json());
const list = document.getElementById('garments');
const samples = models.map((m) => new URL(m, new URL('apparel/', document.baseURI)).href).join(' ');

for (const garment of garments) {
  const li = document.createElement('li');
  const card = document.createElement('div');
  card.className = 'card';
  const img = document.createElement('img');
  img.src = `apparel/${garment.image}`;
  img.alt = garment.title;
  const title = document.createElement('span');
  title.textContent = garment.title;
  const tryOn = document.createElement('vitrine-try-on');
  tryOn.setAttribute('garment', garment.id);
  tryOn.setAttribute('src', `apparel/${garment.image}`);
  tryOn.setAttribute('title', garment.title);
  tryOn.setAttribute('samples', samples);
  card.append(img, title, tryOn);
  li.append(card);
  list.append(li);
}
