import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CategoryPriorEntity, ChannelEntity, ModelEntity } from '../db/entities';

@Injectable()
export class ChannelsRepository {
  constructor(private readonly db: DataSource) {}

  private get repo() {
    return this.db.getRepository(ChannelEntity);
  }

  all(): Promise<ChannelEntity[]> {
    return this.repo.find({ order: { priority: 'DESC', createdAt: 'ASC' } });
  }

  findById(id: string): Promise<ChannelEntity | null> {
    return this.repo.findOneBy({ id });
  }

  findByName(name: string): Promise<ChannelEntity | null> {
    return this.repo.findOneBy({ name });
  }

  /** Saves and reads back, so database defaults (timeouts, timestamps) are in the result. */
  async save(channel: Partial<ChannelEntity>): Promise<ChannelEntity> {
    const saved = await this.repo.save(this.repo.create(channel));
    return this.repo.findOneByOrFail({ id: saved.id });
  }

  async delete(id: string): Promise<boolean> {
    const res = await this.repo.delete({ id });
    return (res.affected ?? 0) > 0;
  }

  async saveModel(model: Partial<ModelEntity> & { id: string }): Promise<void> {
    await this.db.getRepository(ModelEntity).update({ id: model.id }, model);
  }

  priors(): Promise<CategoryPriorEntity[]> {
    return this.db.getRepository(CategoryPriorEntity).find({ order: { category: 'ASC' } });
  }

  async savePrior(prior: Pick<CategoryPriorEntity, 'category'> & Partial<CategoryPriorEntity>): Promise<void> {
    await this.db.getRepository(CategoryPriorEntity).update({ category: prior.category }, prior);
  }

  models(): Promise<ModelEntity[]> {
    return this.db.getRepository(ModelEntity).find({ order: { id: 'ASC' } });
  }
}
