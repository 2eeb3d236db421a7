// The demo store's own page code: a product list from the catalog and product
// pages. It only talks to the widget through window.Vitrine and data attributes.

const catalog = await fetch('../catalog.json').then((r) => r.json());
const byId = new Map(catalog.items.map((item) => [item.id, item]));
const price = new Intl.NumberFormat('en-GB', { style: 'currency', currency: catalog.currency });

function productLink(item) {
  const li = document.createElement('li');
  const a = document.createElement('a');
  a.href = `product.html?id=${encodeURIComponent(item.id)}`;
  const title = document.createElement('span');
  title.textContent = item.title;
  const cost = document.createElement('span');
  cost.className = 'price';
  cost.textContent = price.format(item.price);
  a.append(title, cost);
  li.append(a);
  return li;
}

function homePage() {
  const search = document.getElementById('search');
  const render = () => {
    const q = search.value.trim().toLowerCase();
    const hits = catalog.items.filter((item) => !q || item.title.toLowerCase().includes(q));
    document.getElementById('count').textContent = `${hits.length} products${hits.length > 60 ? ', showing 60' : ''}`;
    document.getElementById('products').replaceChildren(...hits.slice(0, 60).map(productLink));
  };
  search.addEventListener('input', render);
  render();
}

function productPage() {
  const id = new URLSearchParams(location.search).get('id') ?? '';
  const item = byId.get(id);
  if (!item) {
    document.getElementById('title').textContent = 'No such product';
    document.getElementById('add').hidden = true;
    document.getElementById('buy').hidden = true;
    return;
  }
  document.title = `${item.title} · Giftshop demo · Vitrine`;
  document.getElementById('title').textContent = item.title;
  document.getElementById('price').textContent = price.format(item.price);
  document.getElementById('sku').textContent = item.id;
  document.getElementById('add').dataset.vitrineAddToCart = id;
  document.getElementById('buy').dataset.vitrinePurchase = id;
  for (const [button, text] of [['add', 'Added to your basket.'], ['buy', 'Thank you for your order.']]) {
    document.getElementById(button).addEventListener('click', () => {
      document.getElementById('added').textContent = text;
    });
  }
  for (const placement of document.querySelectorAll('vitrine-recommendations')) placement.setAttribute('item', id);
  window.Vitrine.track('view', id);
}

if (document.body.dataset.page === 'product') productPage();
else homePage();
