import { api, seg } from '../api.js';
import { h, table, when } from '../dom.js';

/** Every published version: GET /services. */
export async function servicesPage(page) {
  page.append(h('h1', {}, 'Web services'));
  const services = await api('/services');
  if (services.length === 0) {
    page.append(h('p', { class: 'muted' }, 'No service is published yet.'));
    return;
  }
  services.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  page.append(table('services', ['Name', 'Version', 'Runtime', 'Published by', 'Created', 'Description'],
    services.map((service) => [
      h('a', { href: `#/services/${seg(service.name)}/${seg(service.version)}` }, service.name),
      service.version,
      service.runtimeType,
      service.versionPublishedBy,
      when(service.creationTime),
      service.description ?? '',
    ])));
}
